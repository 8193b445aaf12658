use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(number = 3)]
    pub id: String,
}

fn main() {}
