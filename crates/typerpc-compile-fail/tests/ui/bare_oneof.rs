use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub enum Kind {
    Id(i64),
    Name(String),
}

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    pub kind: Kind,
}

fn main() {}
