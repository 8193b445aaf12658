use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    pub count: usize,
}

fn main() {}
