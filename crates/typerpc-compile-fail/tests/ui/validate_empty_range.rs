use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(gt = 10, lt = 5)]
    pub limit: i32,
}

fn main() {}
