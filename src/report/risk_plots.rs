//! Risk plots: the F-N curves with their bands and criterion lines, the individual-risk map with
//! contours over the network, and individual risk across the busiest routes (PNG and SVG).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::plots::{PALETTE, both, register_font};
use super::{ReportError, io_error};
use crate::experiment::risk_analysis::{FnCurve, RiskAnalysis};
use crate::model::{Mode, Model};
use crate::scenario::{CriteriaData, CriterionLine};

/// Colours of the contour levels 1e-5 ... 1e-8.
const LEVEL_COLOURS: [RGBColor; 4] = [
    RGBColor(165, 0, 38),
    RGBColor(244, 109, 67),
    RGBColor(253, 174, 97),
    RGBColor(230, 210, 80),
];

/// Where a panel's curves sit: per year (the whole network, establishments) or per km-year (routes).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Per {
    Year,
    KmYear,
}

/// The frequency and N ranges of a panel: every curve, band and unseen bound, and the criterion lines.
fn fn_ranges(curves: &[&FnCurve]) -> ((f64, f64), f64) {
    let positive = |v: &[f64]| {
        v.iter()
            .copied()
            .filter(|x| *x > 0.0 && x.is_finite())
            .collect::<Vec<_>>()
    };
    let high = curves
        .iter()
        .flat_map(|c| positive(&c.ci_high).into_iter().chain(positive(&c.upper95)))
        .fold(1e-4, f64::max)
        * 10.0;
    let low = curves
        .iter()
        .flat_map(|c| {
            positive(&c.frequency)
                .into_iter()
                .chain(positive(&c.upper95))
        })
        .fold(high, f64::min)
        .min(1e-8)
        / 3.0;
    let n_max = curves
        .iter()
        .flat_map(|c| c.n.iter().copied())
        .fold(100.0, f64::max)
        * 2.0;
    ((low, high), n_max)
}

/// Points of a criterion line over `[1, n_max]` (dense enough to follow it in log-log), clipped to the
/// frequency range.
fn line_points(line: &CriterionLine, n_max: f64, (low, high): (f64, f64)) -> Vec<(f64, f64)> {
    let (a, b) = (
        line.n_min.max(1.0),
        line.n_max.unwrap_or(f64::INFINITY).min(n_max),
    );
    (0..=60)
        .map(|k| a * (b / a).powf(f64::from(k) / 60.0))
        .map(|n| (n, line.limit(n).clamp(low, high)))
        .collect()
}

/// Shades the primary criteria set's regions (intolerable above the upper line; reduce as far as
/// practicable between the lines) and draws the other sets' lines dashed.
fn draw_criteria<DB: DrawingBackend, CT: plotters::coord::CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'_, DB, CT>,
    criteria: &[CriteriaData],
    per: Per,
    n_max: f64,
    range: (f64, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let line_of = |set: &CriteriaData| match per {
        Per::Year => Some(set.establishment),
        Per::KmYear => set.route_per_km,
    };
    let lines: Vec<(&CriteriaData, CriterionLine)> = criteria
        .iter()
        .filter_map(|set| line_of(set).map(|l| (set, l)))
        .collect();
    let Some((primary, upper)) = lines.first().copied() else {
        return Ok(());
    };
    let upper_points = line_points(&upper, n_max, range);
    let roof = |points: &[(f64, f64)], level: f64| -> Vec<(f64, f64)> {
        let mut polygon = points.to_vec();
        polygon.extend(points.iter().rev().map(|(n, _)| (*n, level)));
        polygon
    };
    let red = RGBColor(215, 48, 39);
    chart
        .draw_series(std::iter::once(Polygon::new(
            roof(&upper_points, range.1),
            red.mix(0.10).filled(),
        )))?
        .label(format!("{}: intolerable", primary.id))
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], red.mix(0.3).filled()));
    let lower = (per == Per::Year && lines[0].0.id == primary.id)
        .then_some(primary.establishment_acceptable)
        .flatten();
    if let Some(lower) = lower {
        let amber = RGBColor(253, 174, 97);
        let mut band = upper_points.clone();
        band.extend(line_points(&lower, n_max, range).into_iter().rev());
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                amber.mix(0.18).filled(),
            )))?
            .label(format!("{}: reduce as far as practicable", primary.id))
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 20, y + 5)], amber.mix(0.5).filled())
            });
    }
    for (k, (set, line)) in lines.iter().enumerate().skip(1) {
        let grey = BLACK.mix(0.35 + 0.15 * k as f64);
        chart
            .draw_series(DashedLineSeries::new(
                line_points(line, n_max, range),
                6,
                4,
                grey.stroke_width(1),
            ))?
            .label(format!("{} line", set.id))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], grey.stroke_width(1))
            });
    }
    Ok(())
}

/// One F-N panel: the curves of one unit with their 95 % bands, the unseen-tail bounds dotted, and the
/// criterion regions behind them.
fn fn_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    curves: &[&FnCurve],
    criteria: &[CriteriaData],
    per: Per,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (range, n_max) = fn_ranges(curves);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((1.0..n_max).log_scale(), (range.0..range.1).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("N (deaths)")
        .y_desc(match per {
            Per::Year => "frequency of N or more deaths, per year",
            Per::KmYear => "frequency of N or more deaths, per km-year",
        })
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .label_style(("sans-serif", 12))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    draw_criteria(&mut chart, criteria, per, n_max, range)?;
    for (k, c) in curves.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let points = |v: &[f64]| -> Vec<(f64, f64)> {
            c.n.iter()
                .zip(v)
                .filter(|(_, f)| **f > 0.0 && f.is_finite())
                .map(|(n, f)| (*n, *f))
                .collect()
        };
        chart
            .draw_series(LineSeries::new(
                points(&c.frequency),
                colour.stroke_width(2),
            ))?
            .label(c.scope.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        for band in [&c.ci_low, &c.ci_high] {
            chart.draw_series(LineSeries::new(
                points(band),
                colour.mix(0.5).stroke_width(1),
            ))?;
        }
        let unseen = points(&c.upper95);
        if !unseen.is_empty() {
            chart
                .draw_series(DashedLineSeries::new(unseen, 2, 4, colour.stroke_width(2)))?
                .label(format!("{}: 95 % bound, none seen", c.scope))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 6, y)], colour.stroke_width(2))
                });
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()
}

/// The per-year panel (network, worst establishment) beside the per-km-year one (worst route window).
fn fn_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scenario: &str,
    a: &RiskAnalysis,
    criteria: &[CriteriaData],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let halves = root.split_evenly((1, 2));
    for (half, per) in halves.iter().zip([Per::Year, Per::KmYear]) {
        let unit = match per {
            Per::Year => "per_year",
            Per::KmYear => "per_km_year",
        };
        let curves: Vec<&FnCurve> = a.curves.iter().filter(|c| c.unit == unit).collect();
        let title = match per {
            Per::Year => format!("{scenario}: network and worst establishment"),
            Per::KmYear => format!("{scenario}: worst 1 km of route"),
        };
        fn_chart(half, &title, &curves, criteria, per)?;
    }
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
    let criteria = m.risk.as_ref().map_or(&[][..], |r| &r.criteria[..]);
    both(
        dir,
        "fn_curves",
        1600,
        700,
        |r| fn_panels(r, scenario, a, criteria),
        |r| fn_panels(r, scenario, a, criteria),
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
