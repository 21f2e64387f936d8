use kiosk_hardware::escpos::{Align, PaperWidth, QrErrorCorrection, ReceiptBuilder, render::render};
fn main() {
    let mut r = ReceiptBuilder::new(PaperWidth::Mm80);
    r.align(Align::Center)
        .size(2, 2)
        .line("市工人文化宫图书馆")
        .size(1, 1)
        .line("Workers' Cultural Palace Library")
        .line("借书凭条 / Loan receipt")
        .align(Align::Left);
    r.line("------------------------------------------------");
    r.line("读者 Patron: ****0019   张*");
    r.line("2026-07-15 10:30");
    r.bold(true).line("1. 活着").bold(false).line("   30234000000017  应还 Due 2026-08-14");
    r.bold(true)
        .line("2. The Old Man and the Sea")
        .bold(false)
        .line("   30234000001262  应还 Due 2026-08-14");
    r.underline(1).line("共 2 册 / 2 items").underline(0);
    r.align(Align::Center)
        .qr(b"https://lib.example.cn/r?items=30234000000017", 5, QrErrorCorrection::Medium)
        .unwrap();
    r.line("借阅通还 · 请按时归还").line("Please return on time").cut(false);
    let out = render(&r.finish(), PaperWidth::Mm80);
    let path = std::env::args().nth(1).unwrap_or_else(|| "receipt.png".into());
    std::fs::write(&path, out.png()).unwrap();
    println!("{:?}", out.warnings);
}
