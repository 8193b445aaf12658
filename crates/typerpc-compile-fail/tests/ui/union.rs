use typerpc::Message;

#[derive(Message, Clone, Copy)]
pub union Bits {
    pub int: u32,
    pub float: f32,
}

fn main() {}
