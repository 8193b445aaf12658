use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    pub id: String,
    #[rpc(tag = 1)]
    pub name: String,
}

fn main() {}
