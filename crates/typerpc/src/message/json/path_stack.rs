//! Where the parser is, as a stack of [`Segment`]s kept in place for the
//! usual shallow messages: a `Vec` would allocate for every message
//! parsed, a cost of every JSON call.

use super::path::Segment;

/// Segments kept without allocating; deeper paths move to the heap.
const INLINE: usize = 8;

/// A stack of path segments.
#[derive(Clone, Debug)]
pub(super) enum PathStack {
    /// Up to [`INLINE`] segments, and how many are in use.
    Inline([Segment; INLINE], usize),
    /// Deeper paths.
    Heap(Vec<Segment>),
}

impl Default for PathStack {
    fn default() -> Self {
        PathStack::Inline([Segment::Index(0); INLINE], 0)
    }
}

impl PathStack {
    pub(super) fn push(&mut self, segment: Segment) {
        match self {
            PathStack::Inline(items, len) if *len < INLINE => {
                items[*len] = segment;
                *len += 1;
            }
            PathStack::Inline(items, len) => {
                let mut heap = Vec::with_capacity(INLINE * 2);
                heap.extend_from_slice(&items[..*len]);
                heap.push(segment);
                *self = PathStack::Heap(heap);
            }
            PathStack::Heap(heap) => heap.push(segment),
        }
    }

    pub(super) fn pop(&mut self) {
        match self {
            PathStack::Inline(_, len) => *len = len.saturating_sub(1),
            PathStack::Heap(heap) => {
                heap.pop();
            }
        }
    }

    pub(super) fn truncate(&mut self, to: usize) {
        match self {
            PathStack::Inline(_, len) => *len = (*len).min(to),
            PathStack::Heap(heap) => heap.truncate(to),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.as_slice().len()
    }

    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(super) fn last_mut(&mut self) -> Option<&mut Segment> {
        match self {
            PathStack::Inline(items, len) => items[..*len].last_mut(),
            PathStack::Heap(heap) => heap.last_mut(),
        }
    }

    pub(super) fn as_slice(&self) -> &[Segment] {
        match self {
            PathStack::Inline(items, len) => &items[..*len],
            PathStack::Heap(heap) => heap,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_paths_move_to_the_heap_and_keep_their_segments() {
        let mut stack = PathStack::default();
        for i in 0..20 {
            stack.push(Segment::Index(i));
        }
        assert_eq!(stack.len(), 20);
        assert_eq!(stack.as_slice()[7], Segment::Index(7));
        assert_eq!(stack.as_slice()[19], Segment::Index(19));
        stack.truncate(3);
        stack.pop();
        *stack.last_mut().unwrap() = Segment::Key(5);
        assert_eq!(stack.as_slice(), &[Segment::Index(0), Segment::Key(5)]);
        let mut shallow = PathStack::default();
        shallow.push(Segment::Key(1));
        shallow.pop();
        assert!(shallow.is_empty());
        assert!(matches!(shallow, PathStack::Inline(..)));
    }
}
