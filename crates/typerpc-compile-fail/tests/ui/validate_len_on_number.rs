use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(min_len = 1)]
    pub limit: i32,
}

fn main() {}
