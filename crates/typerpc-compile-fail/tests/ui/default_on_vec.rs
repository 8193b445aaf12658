use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(default = vec![1])]
    pub ids: Vec<i32>,
}

fn main() {}
