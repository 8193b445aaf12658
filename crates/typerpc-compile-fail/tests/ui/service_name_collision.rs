use typerpc::{service, Message, Status};

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Ping {
    pub n: i32,
}

pub struct PingService;

#[service]
impl PingService {
    async fn get_x(&self, p: Ping) -> Result<Ping, Status> {
        Ok(p)
    }
    #[rpc(name = "GetX")]
    async fn other(&self, p: Ping) -> Result<Ping, Status> {
        Ok(p)
    }
}

fn main() {}
