use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(items(max_len = 3))]
    pub name: String,
}

fn main() {}
