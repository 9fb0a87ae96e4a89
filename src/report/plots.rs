//! Plots of a run, each as PNG and SVG, drawn with plotters and a bundled font (no system font needed).

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ReportError, io_error};
use crate::experiment::RunSummary;
use crate::sim::{Metric, WaitCause};

static FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

pub(super) fn register_font() {
    REGISTER.call_once(|| {
        // The bundled file is a valid TrueType font; failure here would only mean unlabelled plots.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// A bar: label, value, 95 % half-width (NaN when unknown).
type Bar = (String, f64, f64);

/// A line: label and one value per day.
type Line = (String, Vec<f64>);

pub(super) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

fn plot_error<E: std::error::Error + Send + Sync>(
    path: &Path,
) -> impl Fn(DrawingAreaErrorKind<E>) -> ReportError + '_ {
    move |e| ReportError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    items: &[Bar],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let max = items
        .iter()
        .map(|(_, v, h)| v + if h.is_finite() { *h } else { 0.0 })
        .fold(0.0, f64::max);
    let x_max = if max > 0.0 { max * 1.1 } else { 1.0 };
    let n = items.len().max(1);
    let label_width = items
        .iter()
        .map(|(l, _, _)| l.chars().count())
        .max()
        .unwrap_or(4)
        .min(60) as u32
        * 7
        + 16;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(label_width)
        .build_cartesian_2d(0.0..x_max, (0..n - 1).into_segmented())?;
    let labels: Vec<String> = items.iter().map(|(l, _, _)| l.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(unit)
        .y_labels(n)
        .y_label_formatter(&|y| match y {
            // Top bar first: item 0 is drawn in the highest band.
            SegmentValue::CenterOf(i) if *i < labels.len() => labels[labels.len() - 1 - *i].clone(),
            _ => String::new(),
        })
        .label_style(("sans-serif", 12))
        .draw()?;
    for (i, (_, value, half)) in items.iter().enumerate() {
        let band = n - 1 - i;
        let bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(band)),
                (*value, SegmentValue::Exact(band + 1)),
            ],
            PALETTE[0].mix(0.8).filled(),
        );
        let gap = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(band)),
                (*value, SegmentValue::Exact(band + 1)),
            ],
            WHITE.stroke_width(3),
        );
        chart.draw_series([bar, gap])?;
        if half.is_finite() && *half > 0.0 {
            let (lo, hi) = ((value - half).max(0.0), value + half);
            let centre = SegmentValue::CenterOf(band);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(lo, centre.clone()), (hi, centre)],
                BLACK.stroke_width(1),
            )))?;
            for x in [lo, hi] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![
                        (x, SegmentValue::Exact(band)),
                        (x, SegmentValue::Exact(band + 1)),
                    ],
                    BLACK.mix(0.6).stroke_width(1),
                )))?;
            }
        }
    }
    root.present()
}

fn lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    series: &[Line],
    warmup_days: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let days = series
        .iter()
        .map(|(_, v)| v.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let y_max = if max > 0.0 { max * 1.1 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..days as f64, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc("day (the shaded band is the warm-up, not counted in summaries)")
        .y_desc(unit)
        .label_style(("sans-serif", 12))
        .draw()?;
    if warmup_days > 0.0 {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, 0.0), (warmup_days, y_max)],
            RGBColor(230, 230, 230).filled(),
        )))?;
    }
    for (i, (label, values)) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                values.iter().enumerate().map(|(d, v)| (d as f64 + 0.5, *v)),
                color.stroke_width(2),
            ))?
            .label(label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()
}

pub(super) fn both<F, G>(
    dir: &Path,
    name: &str,
    width: u32,
    height: u32,
    draw_png: F,
    draw_svg: G,
) -> Result<(), ReportError>
where
    F: FnOnce(
        &DrawingArea<BitMapBackend, Shift>,
    ) -> Result<
        (),
        DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>,
    >,
    G: FnOnce(
        &DrawingArea<SVGBackend, Shift>,
    ) -> Result<
        (),
        DrawingAreaErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>,
    >,
{
    let png = dir.join(format!("{name}.png"));
    {
        let root = BitMapBackend::new(&png, (width, height)).into_drawing_area();
        draw_png(&root).map_err(plot_error(&png))?;
    }
    let svg = dir.join(format!("{name}.svg"));
    {
        let root = SVGBackend::new(&svg, (width, height)).into_drawing_area();
        draw_svg(&root).map_err(plot_error(&svg))?;
    }
    Ok(())
}

/// Picks `(subject, mean, half-width)` of a metric (and detail) from the summary.
fn pick(summary: &RunSummary, metric: Metric, detail: Option<&str>) -> Vec<Bar> {
    summary
        .keys
        .iter()
        .zip(&summary.stats)
        .filter(|(k, _)| k.metric == metric && detail.is_none_or(|d| k.detail == d))
        .map(|(k, s)| (k.subject.clone(), s.mean(), s.ci95_half_width()))
        .collect()
}

fn top(mut items: Vec<Bar>, n: usize) -> Vec<Bar> {
    items.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    items.truncate(n);
    items
}

fn daily(summary: &RunSummary, metric: Metric, n: usize) -> Vec<Line> {
    let mut series: Vec<(String, Vec<f64>, f64)> = summary
        .daily_keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.metric == metric)
        .map(|(i, k)| {
            let values: Vec<f64> = summary.daily.iter().map(|day| day[i].mean()).collect();
            let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
            (k.subject.clone(), values, mean)
        })
        .collect();
    series.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    series.truncate(n);
    series.into_iter().map(|(l, v, _)| (l, v)).collect()
}

/// Size of the daily line plots, px.
const LINE_PLOT_PX: (u32, u32) = (1100, 600);

/// Draws one bar chart as `name.png` and `name.svg` in `dir`.
fn bar_plot(
    dir: &Path,
    name: &str,
    size_px: (u32, u32),
    title: &str,
    unit: &str,
    items: &[Bar],
) -> Result<(), ReportError> {
    both(
        dir,
        name,
        size_px.0,
        size_px.1,
        |r| bars(r, title, unit, items),
        |r| bars(r, title, unit, items),
    )
}

/// Draws one plot of daily series as `name.png` and `name.svg` in `dir`.
fn line_plot(
    dir: &Path,
    name: &str,
    title: &str,
    unit: &str,
    series: &[Line],
    warmup_days: f64,
) -> Result<(), ReportError> {
    both(
        dir,
        name,
        LINE_PLOT_PX.0,
        LINE_PLOT_PX.1,
        |r| lines(r, title, unit, series, warmup_days),
        |r| lines(r, title, unit, series, warmup_days),
    )
}

/// Tonnes delivered by main mode, for all flows and for the chemical ones.
fn throughput_bars(summary: &RunSummary) -> Vec<Bar> {
    pick(summary, Metric::DeliveredT, None)
        .into_iter()
        .zip(
            summary
                .keys
                .iter()
                .filter(|k| k.metric == Metric::DeliveredT),
        )
        .filter(|(_, k)| k.subject == "all flows" || k.subject == "chemical flows")
        .map(|((_, v, h), k)| {
            (
                format!(
                    "{} ({})",
                    k.detail,
                    if k.subject.starts_with("all") {
                        "all"
                    } else {
                        "chemical"
                    }
                ),
                v,
                h,
            )
        })
        .collect()
}

/// Writes the standard plots of a run into `dir` (created if needed).
pub fn write_plots(
    dir: &Path,
    scenario: &str,
    summary: &RunSummary,
    warmup_days: f64,
) -> Result<(), ReportError> {
    register_font();
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    // Heights grow with the bars so that every label stays readable.
    let modes = throughput_bars(summary);
    bar_plot(
        dir,
        "throughput_by_mode",
        (1000, 120 + 34 * modes.len() as u32),
        &format!("{scenario}: tonnes delivered by main mode"),
        "t delivered in the observed period (95 % CI)",
        &modes,
    )?;

    let waits = top(
        pick(
            summary,
            Metric::WaitHoursMean,
            Some(WaitCause::Total.name()),
        ),
        25,
    );
    bar_plot(
        dir,
        "waiting_by_facility",
        (1100, 120 + 28 * waits.len().max(1) as u32),
        &format!("{scenario}: mean wait by facility"),
        "hours (95 % CI)",
        &waits,
    )?;

    let utilisation = top(pick(summary, Metric::Utilisation, None), 25);
    bar_plot(
        dir,
        "utilisation",
        (1100, 120 + 28 * utilisation.len().max(1) as u32),
        &format!("{scenario}: utilisation by facility"),
        "busy share of available capacity (95 % CI)",
        &utilisation,
    )?;

    line_plot(
        dir,
        "queue_lengths",
        &format!("{scenario}: daily mean queue length (longest six)"),
        "vehicles or vessels waiting",
        &daily(summary, Metric::QueueMean, 6),
        warmup_days,
    )?;
    line_plot(
        dir,
        "stock_levels",
        &format!("{scenario}: daily mean stock levels"),
        "t",
        &daily(summary, Metric::StockMeanT, 8),
        warmup_days,
    )
}
