use typerpc::{service, Message, Status, Stream};

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Tick {
    pub n: u32,
}

pub struct ClockService;

#[service]
impl ClockService {
    async fn ticks(&self, t: Tick) -> Result<impl Stream, Status> {
        Ok(typerpc::stream::iter([t]))
    }
}

fn main() {}
