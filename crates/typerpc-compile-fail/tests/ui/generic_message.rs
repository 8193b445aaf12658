use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
}

fn main() {}
