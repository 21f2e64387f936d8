//! Picture icons, compiled in (sources in `assets/icons/src/`, rendered by
//! `assets/icons/render.sh`). Each handle is created once so the renderer decodes each
//! picture once.

use std::sync::LazyLock;

use iced::widget::image::Handle;

macro_rules! icons {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[doc = concat!("The `", $file, "` icon.")]
            pub static $name: LazyLock<Handle> =
                LazyLock::new(|| Handle::from_bytes(include_bytes!(concat!("../assets/icons/", $file)).as_slice()));
        )*
    };
}

icons! {
    BORROW => "borrow.png",
    RETURN => "return.png",
    ACCOUNT => "account.png",
    STATION => "station.png",
    HOW_SCAN => "how-scan.png",
    HOW_PAD => "how-pad.png",
}
