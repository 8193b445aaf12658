use typerpc::{service, Message};

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Ping {
    pub n: i32,
}

pub struct PingService;

#[service]
impl PingService {
    async fn ping(&self, p: Ping) -> Ping {
        p
    }
}

fn main() {}
