use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(max_length = 5)]
    pub name: String,
}

fn main() {}
