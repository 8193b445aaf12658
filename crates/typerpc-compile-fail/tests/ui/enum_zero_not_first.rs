use typerpc::Message;

#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub enum Color {
    Red = 1,
    Unspecified = 0,
}

fn main() {}
