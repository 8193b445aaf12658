use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(sint, fixed)]
    pub id: i64,
}

fn main() {}
