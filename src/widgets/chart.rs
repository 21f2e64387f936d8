//! Bar charts drawn natively with plain boxes (no canvas, no images): counts by hour, by
//! day, by trade. Each bar carries its number, so nothing rests on reading a length.

use iced::widget::{Column, Row, column, container, row, space, text};
use iced::{Alignment, Element, Length};

use crate::ui::Ui;

/// Vertical bars, drawn with plain boxes: one per value, a label under every `label_every`th.
pub fn columns<'a, Message: 'a>(
    ui: &Ui<'_>,
    values: &[(String, u32)],
    height: f32,
    label_every: usize,
) -> Element<'a, Message> {
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f32;
    let tone = ui.look.primary;
    let mut bars = Row::new().spacing(3).align_y(Alignment::End).height(Length::Fixed(height));
    let mut labels = Row::new().spacing(3);
    for (index, (label, value)) in values.iter().enumerate() {
        let bar_height = (height - ui.sizes.small * 1.4) * (*value as f32) / max;
        let bar = column![
            text(if *value > 0 { value.to_string() } else { String::new() }).size(ui.sizes.small * 0.7),
            container(space::vertical().height(bar_height.max(1.0)))
                .width(Length::Fill)
                .style(move |_| container::Style { background: Some(tone.into()), ..Default::default() }),
        ]
        .align_x(Alignment::Center)
        .width(Length::FillPortion(1));
        bars = bars.push(bar);
        let shown = if index % label_every.max(1) == 0 { label.clone() } else { String::new() };
        labels = labels.push(text(shown).size(ui.sizes.small * 0.7).width(Length::FillPortion(1)).center());
    }
    column![bars, labels].spacing(4).into()
}

/// Horizontal bars with names: trades and services.
pub fn bars<'a, Message: 'a>(ui: &Ui<'_>, rows: Vec<(String, u32)>) -> Element<'a, Message> {
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let tone = ui.look.primary;
    let mut list = Column::new().spacing(6);
    for (name, value) in rows {
        let filled = (value * 100 / max) as u16;
        let bar = row![
            container(space::horizontal())
                .width(Length::FillPortion(filled.max(1)))
                .height(Length::Fixed(ui.sizes.small))
                .style(move |_| container::Style { background: Some(tone.into()), ..Default::default() }),
            space::horizontal().width(Length::FillPortion(100 - filled.min(99))),
        ];
        list = list.push(
            row![
                text(name).size(ui.sizes.small).width(Length::Fixed(ui.sizes.small * 8.0)),
                container(bar).width(Length::Fill),
                text(value.to_string()).size(ui.sizes.small).width(Length::Fixed(ui.sizes.small * 3.0)),
            ]
            .spacing(10)
            .align_y(Alignment::Center),
        );
    }
    list.into()
}
