use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(ge = 1)]
    pub name: String,
}

fn main() {}
