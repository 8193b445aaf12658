//! The router's methods by path, each with a stable number.
//!
//! A call's future owns the router (an `Arc`, moved in, never cloned
//! again) and names its route by number, so that it borrows nothing and
//! is the router's answer as it is, with no future around it that would
//! keep a second copy of the request.

use std::collections::HashMap;

use crate::protocol::pipeline::{Route, RouteId};

/// The routes, in the order they were added, and an index by path
/// (`package.Service/Method`, without the leading `/`).
#[derive(Clone, Default)]
pub(super) struct RouteTable {
    routes: Vec<Route>,
    by_path: HashMap<String, RouteId, PathHash>,
}

impl RouteTable {
    /// The number of the route at `path`.
    pub(super) fn find(&self, path: &str) -> Option<RouteId> {
        self.by_path.get(path).copied()
    }

    /// The route numbered `id` by [`RouteTable::find`].
    pub(super) fn get(&self, id: RouteId) -> &Route {
        &self.routes[id]
    }

    /// The route at `path`, to change.
    pub(super) fn get_mut(&mut self, path: &str) -> Option<&mut Route> {
        let id = self.find(path)?;
        Some(&mut self.routes[id])
    }

    pub(super) fn contains(&self, path: &str) -> bool {
        self.by_path.contains_key(path)
    }

    /// Every path routed, in no particular order.
    pub(super) fn paths(&self) -> impl Iterator<Item = &String> {
        self.by_path.keys()
    }

    /// Routes `path` to `route`, in place of any route it had.
    pub(super) fn insert(&mut self, path: String, route: Route) {
        match self.by_path.get(&path) {
            Some(&id) => self.routes[id] = route,
            None => {
                self.by_path.insert(path, self.routes.len());
                self.routes.push(route);
            }
        }
    }

    /// Keeps the routes whose path `keep` accepts; the others' numbers
    /// are given to the routes after them.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let mut paths: Vec<(String, RouteId)> = self.by_path.drain().collect();
        paths.sort_by_key(|(_, id)| *id);
        let routes = std::mem::take(&mut self.routes);
        for ((path, _), route) in paths.into_iter().zip(routes) {
            if keep(&path) {
                self.insert(path, route);
            }
        }
    }
}

/// Hashes route paths eight bytes at a time: SipHash, the default, costs
/// more than the rest of a lookup for a path this short. The protection
/// SipHash gives is against keys an attacker chooses flooding one bucket;
/// the keys here are the server's own method paths, and a request's path
/// is only looked up, never inserted.
#[derive(Clone, Default)]
struct PathHash;

impl std::hash::BuildHasher for PathHash {
    type Hasher = WordHash;

    fn build_hasher(&self) -> WordHash {
        WordHash(0)
    }
}

/// A multiply-rotate hash over 64-bit words (as rustc's own `FxHash`):
/// a few instructions per eight bytes where a byte-wise hash takes a few
/// per byte.
struct WordHash(u64);

impl WordHash {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl std::hash::Hasher for WordHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Service;
    use crate::{service, Empty, Status};

    struct Echo;

    #[service(package = "a", name = "S")]
    impl Echo {
        async fn one(&self, request: Empty) -> Result<Empty, Status> {
            Ok(request)
        }
        async fn two(&self, request: Empty) -> Result<Empty, Status> {
            Ok(request)
        }
    }

    fn table(paths: &[&str]) -> RouteTable {
        let method = std::sync::Arc::new(Echo).methods().remove(0);
        let mut table = RouteTable::default();
        for path in paths {
            table.insert(
                path.to_string(),
                Route::new(method.clone(), format!("/{path}")),
            );
        }
        table
    }

    #[test]
    fn numbers_follow_insertion_and_survive_replacing_a_route() {
        let mut table = table(&["a.S/One", "a.S/Two"]);
        assert_eq!(table.find("a.S/One"), Some(0));
        assert_eq!(table.find("a.S/Two"), Some(1));
        assert_eq!(table.find("a.S/Three"), None);
        let method = std::sync::Arc::new(Echo).methods().remove(1);
        table.insert("a.S/One".into(), Route::new(method, "/a.S/One".into()));
        assert_eq!(table.find("a.S/One"), Some(0));
        assert_eq!(table.get(0).method.schema().name, "Two");
        assert!(table.contains("a.S/Two") && !table.contains("a.S/One/"));
    }

    #[test]
    fn paths_that_differ_anywhere_hash_apart() {
        use std::hash::BuildHasher;
        let hash = |path: &str| PathHash.hash_one(path);
        let paths = [
            "a.S/One",
            "a.S/Two",
            "a.S/On",
            "a.S/One1",
            "b.S/One",
            "echo.v1.Echo/Ping",
            "echo.v1.Echo/Pinh",
            "echo.v1.Echo/Pin",
            "",
            "echo.v1.Echo/Pinga",
        ];
        for (i, a) in paths.iter().enumerate() {
            for b in &paths[i + 1..] {
                assert_ne!(hash(a), hash(b), "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn retain_renumbers_what_is_kept_and_forgets_the_rest() {
        let mut table = table(&["a.S/One", "b.T/One", "a.S/Two"]);
        table.retain(|path| !path.starts_with("a.S/"));
        assert_eq!(table.find("b.T/One"), Some(0));
        assert_eq!(table.find("a.S/One"), None);
        assert_eq!(table.find("a.S/Two"), None);
        assert_eq!(table.get(0).procedure.as_ref(), "/b.T/One");
        assert_eq!(table.paths().count(), 1);
    }
}
