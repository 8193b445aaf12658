use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    pub small: i8,
}

fn main() {}
