//! A chat room served with every call shape typerpc supports:
//!
//! | method | shape | what it does |
//! |---|---|---|
//! | `Post` | unary | posts one message to the room |
//! | `Subscribe` | server streaming | the room's messages, from now on (or the last few first) |
//! | `Upload` | client streaming | posts a batch of messages, answers how many |
//! | `Converse` | bidirectional | posts what the caller sends and streams the room back |
//!
//! The room is a broadcast channel: every subscriber gets every message
//! posted after it joined, and one that falls too far behind is told how
//! many messages it missed instead of holding the room's memory hostage.
//!
//! Memory is shared, not copied per subscriber: a message is stored once
//! (an `Arc`) in the history and in the channel, and a subscriber holds
//! the history as it was when it joined (a shared snapshot, copied on the
//! next post only while someone still reads it) and a cursor into the
//! channel. A message is cloned for a subscriber only as it is sent, and
//! the server sends only as fast as the client reads (HTTP/2 flow
//! control), so a subscriber that never reads holds a few hundred bytes,
//! not the room's history.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use typerpc::stream::{self, StreamExt};
use typerpc::{
    service, Context, Message, RequestStream, ResponseStream, Status, Stream, Timestamp,
};

/// One chat message.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct ChatMessage {
    /// Who wrote it.
    pub author: String,
    /// What they wrote.
    pub text: String,
    /// When the room received it (set by the server).
    pub sent_at: Option<Timestamp>,
}

/// Joining the room.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct SubscribeRequest {
    /// Replay up to this many recent messages before the live ones.
    pub history: u32,
    /// Stop after this many messages (0: stay until the client leaves).
    pub limit: u32,
}

/// What the room says after a post.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct PostReceipt {
    /// Messages accepted.
    pub accepted: u32,
    /// The room's message count after the post.
    pub total: u64,
}

/// How many recent messages the room keeps for `history`.
const HISTORY: usize = 100;

/// The room's recent messages, shared by every subscriber that joined
/// since the last post.
type History = Arc<VecDeque<Arc<ChatMessage>>>;

/// The chat room.
#[derive(Clone)]
pub struct ChatService {
    room: broadcast::Sender<Arc<ChatMessage>>,
    recent: Arc<Mutex<History>>,
    total: Arc<Mutex<u64>>,
}

impl Default for ChatService {
    fn default() -> Self {
        ChatService::new()
    }
}

impl ChatService {
    /// An empty room.
    pub fn new() -> ChatService {
        ChatService {
            room: broadcast::channel(1024).0,
            recent: Arc::new(Mutex::new(Arc::new(VecDeque::with_capacity(HISTORY)))),
            total: Arc::new(Mutex::new(0)),
        }
    }

    fn publish(&self, mut message: ChatMessage) -> Result<u64, Status> {
        if message.author.trim().is_empty() {
            return Err(Status::invalid_argument("author is required"));
        }
        if message.text.is_empty() || message.text.chars().count() > 500 {
            return Err(Status::invalid_argument(
                "text must have between 1 and 500 characters",
            ));
        }
        message.sent_at = Some(Timestamp::now());
        let message = Arc::new(message);
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        // Copies the history (its pointers) only if a subscriber still
        // holds the snapshot it joined with.
        let history = Arc::make_mut(&mut recent);
        if history.len() == HISTORY {
            history.pop_front();
        }
        history.push_back(Arc::clone(&message));
        let mut total = self.total.lock().unwrap_or_else(|p| p.into_inner());
        *total += 1;
        // Sent with the history locked, so that a subscriber joining sees
        // each message once: in its snapshot or live. Nobody listening is
        // fine: the message is in the history.
        let _ = self.room.send(message);
        Ok(*total)
    }

    /// The room from now on, after up to `history` recent messages.
    fn feed(
        &self,
        history: u32,
    ) -> impl Stream<Item = Result<ChatMessage, Status>> + Send + 'static {
        // Joined with the history locked: nothing posted meanwhile is
        // lost or comes twice.
        let (snapshot, live) = {
            let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            (Arc::clone(&recent), self.room.subscribe())
        };
        let skip = snapshot.len().saturating_sub(history as usize);
        // Cloned one at a time, as the client reads.
        let recent = (skip..snapshot.len()).map(move |i| Ok(ChatMessage::clone(&snapshot[i])));
        let live = stream::unfold(live, |mut live| async move {
            match live.recv().await {
                Ok(message) => Some((Ok(Arc::unwrap_or_clone(message)), live)),
                Err(broadcast::error::RecvError::Lagged(missed)) => Some((
                    Err(Status::resource_exhausted(format!(
                        "this subscriber fell {missed} messages behind the room; subscribe again"
                    ))),
                    live,
                )),
                Err(broadcast::error::RecvError::Closed) => None,
            }
        });
        stream::iter(recent).chain(live)
    }
}

#[service(package = "chat.v1")]
impl ChatService {
    /// Posts one message to the room.
    async fn post(&self, message: ChatMessage) -> Result<PostReceipt, Status> {
        let total = self.publish(message)?;
        Ok(PostReceipt { accepted: 1, total })
    }

    /// The room's messages as they are posted, after up to `history`
    /// recent ones. The `x-room-size` response header says how many
    /// subscribers the room has, this one included.
    async fn subscribe(
        &self,
        ctx: &Context,
        req: SubscribeRequest,
    ) -> Result<impl Stream<Item = Result<ChatMessage, Status>>, Status> {
        if req.history as usize > HISTORY {
            return Err(Status::invalid_argument(format!(
                "history is at most {HISTORY}"
            )));
        }
        // Join first, so the room size counts this caller too.
        let feed = self.feed(req.history);
        ctx.append_response_header(
            "x-room-size".parse().expect("a valid name"),
            self.room.receiver_count().into(),
        );
        Ok(match req.limit {
            0 => feed.boxed(),
            limit => feed.take(limit as usize).boxed(),
        })
    }

    /// Posts a batch of messages; answers how many were accepted. Stops at
    /// the first invalid message, after posting the ones before it.
    async fn upload(
        &self,
        mut messages: RequestStream<ChatMessage>,
    ) -> Result<PostReceipt, Status> {
        let mut receipt = PostReceipt::default();
        while let Some(message) = messages.message().await? {
            receipt.total = self.publish(message)?;
            receipt.accepted += 1;
        }
        Ok(receipt)
    }

    /// Posts each message the caller sends and streams the room back,
    /// the caller's own messages included, until the caller stops sending.
    async fn converse(
        &self,
        messages: RequestStream<ChatMessage>,
    ) -> Result<ResponseStream<ChatMessage>, Status> {
        let feed = self.feed(0).map(Event::Room);
        let room = self.clone();
        // Posting runs beside the feed and reports how the caller's side
        // ended: finished, or with an error (a bad message, say).
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<Option<Status>>();
        tokio::spawn(async move {
            let mut messages = messages;
            let end = loop {
                match messages.message().await {
                    Ok(Some(message)) => {
                        if let Err(status) = room.publish(message) {
                            break Some(status);
                        }
                    }
                    Ok(None) => break None,
                    Err(status) => break Some(status),
                }
            };
            let _ = done_tx.send(end);
        });
        let done = stream::once(async move { Event::Done(done_rx.await.unwrap_or(None)) });
        // The feed goes first, so the room's messages posted before the
        // caller finished are all sent before the call ends.
        let events = stream::select_with_strategy(feed, done, |_: &mut ()| stream::PollNext::Left);
        // The caller's side ending ends the call; an error item ends it
        // with that error (the server reads no further).
        Ok(ResponseStream::new(events.scan((), |_, event| {
            std::future::ready(match event {
                Event::Room(item) => Some(item),
                Event::Done(None) => None,
                Event::Done(Some(status)) => Some(Err(status)),
            })
        })))
    }
}

/// What `converse` streams from: the room, or the end of the caller's side.
enum Event {
    Room(Result<ChatMessage, Status>),
    Done(Option<Status>),
}
