use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(email)]
    pub emails: Vec<String>,
}

fn main() {}
