use typerpc::{service, Message, RequestStream, Status};

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Total {
    pub n: u64,
}

pub struct SumService;

#[service]
impl SumService {
    async fn sum(&self, mut numbers: RequestStream<u64>) -> Result<Total, Status> {
        let mut n = 0;
        while let Some(x) = numbers.message().await? {
            n += x;
        }
        Ok(Total { n })
    }
}

fn main() {}
