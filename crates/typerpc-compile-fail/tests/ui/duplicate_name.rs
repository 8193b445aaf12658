use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    pub id: String,
    #[rpc(name = "id")]
    pub other_id: String,
}

fn main() {}
