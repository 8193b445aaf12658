use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    pub placed_at: Option<std::time::Instant>,
}

fn main() {}
