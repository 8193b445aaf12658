use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(required)]
    pub name: String,
}

fn main() {}
