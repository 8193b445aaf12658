use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(min_items = 3, max_items = 1)]
    pub tags: Vec<String>,
}

fn main() {}
