use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(reserved = [2, "old"])]
pub struct Order {
    pub id: String,
    pub name: String,
}

fn main() {}
