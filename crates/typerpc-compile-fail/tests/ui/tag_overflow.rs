use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(tag = 4294967296)]
    pub id: String,
}

fn main() {}
