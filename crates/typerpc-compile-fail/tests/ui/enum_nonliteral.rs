use typerpc::Message;

const RED: isize = 1;

#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub enum Color {
    Unspecified = 0,
    Red = RED,
}

fn main() {}
