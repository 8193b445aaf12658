use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(tag = 19500)]
    pub id: String,
}

fn main() {}
