use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(default = 10)]
    pub limit: Option<i32>,
}

fn main() {}
