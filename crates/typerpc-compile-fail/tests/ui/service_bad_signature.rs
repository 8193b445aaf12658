use typerpc::{service, Message, Status};

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Ping {
    pub n: i32,
}

pub struct PingService;

#[service]
impl PingService {
    async fn ping(&self, a: Ping, b: Ping) -> Result<Ping, Status> {
        Ok(a)
    }
}

fn main() {}
