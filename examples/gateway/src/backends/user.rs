//! The user service (gRPC): who a user is and their membership level.

use std::time::Duration;

use typerpc::{service, Message, Status};

/// Which user.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct UserRequest {
    /// The user's id.
    #[rpc(min_len = 1, max_len = 64)]
    pub id: String,
}

/// A user as the mobile app shows them.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct User {
    /// The user's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `standard`, `silver` or `gold`.
    pub membership_level: String,
}

/// Users, from a small built-in directory.
#[derive(Debug, Default)]
pub struct UserService {
    delay: Duration,
}

impl UserService {
    /// A user service that answers after `delay`.
    pub fn new(delay: Duration) -> UserService {
        UserService { delay }
    }
}

#[service] // package user.v1, service UserService
impl UserService {
    /// One user. Unknown ids get a standard member named after the id,
    /// so any id works in a demo.
    #[rpc(idempotent)]
    async fn get_user(&self, request: UserRequest) -> Result<User, Status> {
        super::simulate_latency(self.delay).await;
        let (name, level) = match request.id.as_str() {
            "123" => ("Ada Lovelace".to_string(), "gold"),
            "456" => ("Grace Hopper".to_string(), "silver"),
            other => (format!("User {other}"), "standard"),
        };
        Ok(User {
            id: request.id,
            name,
            membership_level: level.into(),
        })
    }
}
