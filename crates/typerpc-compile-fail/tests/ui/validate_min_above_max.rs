use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(min_len = 10, max_len = 5)]
    pub name: String,
}

fn main() {}
