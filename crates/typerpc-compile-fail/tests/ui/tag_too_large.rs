use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(tag = 536870912)]
    pub id: String,
}

fn main() {}
