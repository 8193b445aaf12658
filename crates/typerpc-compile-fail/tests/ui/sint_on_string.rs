use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(sint)]
    pub id: String,
}

fn main() {}
