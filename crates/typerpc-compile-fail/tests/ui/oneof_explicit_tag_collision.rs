use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub enum Kind {
    Id(i64),
    #[rpc(tag = 1)]
    Name(String),
}

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    pub first: String,
    pub kind: Option<Kind>,
}

fn main() {}
