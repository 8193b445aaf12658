use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order(String);

fn main() {}
