use typerpc::Message;

#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub enum Color {
    Unspecified,
    Red,
    #[rpc(value = 1)]
    Crimson,
}

fn main() {}
