use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    pub id: String,
    pub placed_at: std::time::Instant,
}

fn main() {}
