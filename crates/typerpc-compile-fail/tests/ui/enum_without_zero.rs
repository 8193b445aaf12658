use typerpc::Message;

#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub enum Color {
    Red = 1,
    Green = 2,
}

fn main() {}
