use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(pattern = "^[a-z+$")]
    pub slug: String,
}

fn main() {}
