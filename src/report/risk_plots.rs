//! Risk plots: the F-N curves with their bands and criterion lines, the individual-risk map with
//! contours over the network, and individual risk across the busiest routes (PNG and SVG).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::plots::{PALETTE, both, register_font};
use super::{ReportError, io_error};
use crate::experiment::risk_analysis::{FnCurve, RiskAnalysis};
use crate::model::{Mode, Model};

/// Colours of the contour levels 1e-5 ... 1e-8.
const LEVEL_COLOURS: [RGBColor; 4] = [
    RGBColor(165, 0, 38),
    RGBColor(244, 109, 67),
    RGBColor(253, 174, 97),
    RGBColor(230, 210, 80),
];

fn fn_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    curves: &[&FnCurve],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let positive = |v: &[f64]| {
        v.iter()
            .copied()
            .filter(|x| *x > 0.0 && x.is_finite())
            .collect::<Vec<_>>()
    };
    let all: Vec<f64> = curves
        .iter()
        .flat_map(|c| positive(&c.ci_high).into_iter().chain(positive(&c.limit)))
        .collect();
    let y_max = all.iter().copied().fold(1e-6, f64::max) * 3.0;
    let y_min = curves
        .iter()
        .flat_map(|c| positive(&c.frequency))
        .fold(y_max, f64::min)
        .min(1e-8)
        / 3.0;
    let n_max = curves
        .iter()
        .flat_map(|c| {
            c.n.iter()
                .zip(&c.frequency)
                .filter(|(_, f)| **f > 0.0)
                .map(|(n, _)| *n)
        })
        .fold(10.0, f64::max)
        * 2.0;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((1.0..n_max).log_scale(), (y_min..y_max).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("N (deaths)")
        .y_desc("frequency of N or more deaths")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .label_style(("sans-serif", 12))
        .draw()?;
    for (k, c) in curves.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let points = |v: &[f64]| -> Vec<(f64, f64)> {
            c.n.iter()
                .zip(v)
                .filter(|(_, f)| **f > 0.0)
                .map(|(n, f)| (*n, *f))
                .collect()
        };
        let label = format!("{} ({})", c.scope, c.unit.replace('_', " "));
        chart
            .draw_series(LineSeries::new(
                points(&c.frequency),
                colour.stroke_width(2),
            ))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        for band in [&c.ci_low, &c.ci_high] {
            chart.draw_series(LineSeries::new(
                points(band),
                colour.mix(0.5).stroke_width(1),
            ))?;
        }
        let limit: Vec<(f64, f64)> =
            c.n.iter()
                .zip(&c.limit)
                .filter(|(_, l)| l.is_finite() && **l >= y_min)
                .map(|(n, l)| (*n, *l))
                .collect();
        if !limit.is_empty() {
            chart
                .draw_series(DashedLineSeries::new(
                    limit,
                    6,
                    4,
                    colour.mix(0.9).stroke_width(1),
                ))?
                .label(format!("criterion for {}", c.scope))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.mix(0.9).stroke_width(1))
                });
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()
}

/// The legend box every risk plot uses.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 12))
        .position(position)
        .draw()
}

fn map_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    m: &Model,
    a: &RiskAnalysis,
    cells: bool,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let r = m.risk.as_ref().expect("risk model");
    let [x0, x1, y0, y1] = r.bounds_km;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("km east")
        .y_desc("km north")
        .label_style(("sans-serif", 12))
        .draw()?;
    // Population zones.
    for z in &m.population {
        let (x, y) = r.project(z.lon, z.lat);
        let steps = 72;
        let ring: Vec<(f64, f64)> = (0..=steps)
            .map(|k| {
                let t = k as f64 / steps as f64 * std::f64::consts::TAU;
                (
                    x / 1000.0 + z.radius_km * t.cos(),
                    y / 1000.0 + z.radius_km * t.sin(),
                )
            })
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(
            ring,
            RGBColor(150, 150, 150).mix(0.6).stroke_width(1),
        )))?;
    }
    let g = a.map.grid;
    if cells {
        let km = g.cell_m / 1000.0;
        let mut rects = Vec::new();
        for j in 0..g.ny {
            for i in 0..g.nx {
                let v = a.map.values[j * g.nx + i];
                let Some(level) = crate::experiment::risk_analysis::IR_LEVELS
                    .iter()
                    .position(|l| v >= *l)
                else {
                    continue;
                };
                let (x, y) = g.centre(i, j);
                let (x, y) = (x / 1000.0, y / 1000.0);
                rects.push(Rectangle::new(
                    [(x - km / 2.0, y - km / 2.0), (x + km / 2.0, y + km / 2.0)],
                    LEVEL_COLOURS[level].mix(0.45).filled(),
                ));
            }
        }
        chart.draw_series(rects)?;
    }
    // Links by mode.
    for l in &m.links {
        let (a_, b) = (r.node_xy_m[l.from], r.node_xy_m[l.to]);
        let colour = match l.mode {
            Mode::Road => RGBColor(90, 90, 90),
            Mode::Rail => RGBColor(20, 20, 20),
            Mode::Water => RGBColor(40, 110, 200),
        };
        let width = if l.mode == Mode::Rail { 2 } else { 1 };
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(a_.0 / 1000.0, a_.1 / 1000.0), (b.0 / 1000.0, b.1 / 1000.0)],
            colour.stroke_width(width),
        )))?;
    }
    // Contours.
    for (k, (level, segments)) in a.map.contours.iter().enumerate() {
        let colour = LEVEL_COLOURS[k];
        let mut first = true;
        for s in segments {
            let series = chart.draw_series(std::iter::once(PathElement::new(
                vec![
                    (s[0].0 / 1000.0, s[0].1 / 1000.0),
                    (s[1].0 / 1000.0, s[1].1 / 1000.0),
                ],
                colour.stroke_width(2),
            )))?;
            if first {
                series
                    .label(format!("individual risk {level:.0e} /yr"))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                    });
                first = false;
            }
        }
    }
    // Sites and lots.
    for site in m.sites.iter().filter(|s| !s.is_external()) {
        let (x, y) = r.node_xy_m[site.node];
        chart.draw_series(std::iter::once(Circle::new(
            (x / 1000.0, y / 1000.0),
            3,
            BLACK.filled(),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            site.id.clone(),
            (x / 1000.0 + 0.3, y / 1000.0 + 0.3),
            ("sans-serif", 10).into_font(),
        )))?;
    }
    for &(x, y) in &r.parking_xy_m {
        chart.draw_series(std::iter::once(TriangleMarker::new(
            (x / 1000.0, y / 1000.0),
            5,
            RGBColor(120, 0, 120).filled(),
        )))?;
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present()
}

fn transect_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    a: &RiskAnalysis,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let values: Vec<f64> = a
        .transects
        .iter()
        .flat_map(|t| t.points.iter().map(|p| p.1))
        .filter(|v| *v > 0.0)
        .collect();
    let y_max = values.iter().copied().fold(1e-6, f64::max) * 3.0;
    let y_min = (values.iter().copied().fold(y_max, f64::min) / 3.0).max(y_max * 1e-9);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-2000.0..2000.0, (y_min..y_max).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("distance from the route, m (left of travel positive)")
        .y_desc("individual risk per year")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .label_style(("sans-serif", 12))
        .draw()?;
    for (k, t) in a.transects.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let points: Vec<(f64, f64)> = t.points.iter().filter(|p| p.1 > 0.0).copied().collect();
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
            .label(t.link.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
    }
    let limit = a.individual_risk_limit;
    if limit > y_min && limit < y_max {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(-2000.0, limit), (2000.0, limit)],
                6,
                4,
                BLACK.stroke_width(1),
            ))?
            .label(format!("limit {limit:.0e} /yr"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()
}

/// Draws `fn_curves`, `individual_risk_map` and `ir_transects` into `dir`.
pub fn write_risk_plots(
    dir: &Path,
    scenario: &str,
    m: &Model,
    a: &RiskAnalysis,
) -> Result<(), ReportError> {
    register_font();
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let curves: Vec<&FnCurve> = a.curves.iter().collect();
    let title = format!("{scenario}: F-N curves (95 % bands; dashed: criteria)");
    both(
        dir,
        "fn_curves",
        1000,
        700,
        |r| fn_chart(r, &title, &curves),
        |r| fn_chart(r, &title, &curves),
    )?;
    let title = format!("{scenario}: individual risk");
    // The PNG shows the cells and the contours; the SVG only the contours (cells would make it huge).
    both(
        dir,
        "individual_risk_map",
        1100,
        1000,
        |r| map_chart(r, &title, m, a, true),
        |r| map_chart(r, &title, m, a, false),
    )?;
    if !a.transects.is_empty() {
        let title = format!("{scenario}: individual risk across the routes with the highest PLL");
        both(
            dir,
            "ir_transects",
            1000,
            600,
            |r| transect_chart(r, &title, a),
            |r| transect_chart(r, &title, a),
        )?;
    }
    Ok(())
}
