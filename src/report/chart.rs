//! The report's charts as SVG text (plotters' SVG backend: the browser draws the text, so no
//! fonts are needed here).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{AMOUNT_EDGES, OUTCOMES, Percentiles, Summary};

const SIZE: (u32, u32) = (1000, 360);
/// One colour per series, readable on white and for the common colour blindnesses.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
    RGBColor(204, 121, 167),
    RGBColor(0, 158, 115),
];

/// What plotters reports when drawing into SVG text fails.
type DrawError = DrawingAreaErrorKind<std::io::Error>;

/// A chart that could not be drawn; plotters' error is the source.
#[derive(Debug, thiserror::Error)]
#[error("the {chart} chart could not be drawn")]
pub struct ChartError {
    chart: &'static str,
    #[source]
    source: DrawError,
}

fn draw(
    chart: &'static str,
    paint: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), DrawError>,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let fail = |source| ChartError { chart, source };
        root.fill(&WHITE).map_err(fail)?;
        paint(&root).map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// Stacked bars: each day's messages by outcome.
pub fn per_day(s: &Summary) -> Result<String, ChartError> {
    draw("answers per day", |root| {
        let n = s.days.len().max(1);
        let top = s
            .per_day
            .iter()
            .map(|d| d.iter().sum::<usize>())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..n as f64, 0f64..headroom(top))?;
        let days = s.days.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .y_labels(count_labels(top))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_labels(n.min(14))
            .x_label_formatter(&|x| {
                let i = x.floor() as usize;
                days.get(i)
                    .map(|d| d.strftime("%a %d %b").to_string())
                    .unwrap_or_default()
            })
            .y_desc("messages")
            .draw()?;
        for (k, outcome) in OUTCOMES.iter().enumerate() {
            let color = PALETTE[k];
            let bars = s.per_day.iter().enumerate().filter_map(move |(i, d)| {
                let below: usize = d[..k].iter().sum();
                (d[k] > 0).then(|| {
                    Rectangle::new(
                        [
                            (i as f64 + 0.15, below as f64),
                            (i as f64 + 0.85, (below + d[k]) as f64),
                        ],
                        color.filled(),
                    )
                })
            });
            chart
                .draw_series(bars)?
                .label(outcome.label())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        legend(&mut chart)
    })
}

/// Horizontal bars: hand-offs to people by reason, most first.
pub fn handoffs(s: &Summary) -> Result<String, ChartError> {
    draw("hand-offs by reason", |root| {
        let n = s.handoffs.len().max(1);
        let top = s.handoffs.first().map_or(1, |(_, c)| *c).max(1);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(220)
            .build_cartesian_2d(0f64..headroom(top), 0f64..n as f64)?;
        let names: Vec<String> = s
            .handoffs
            .iter()
            .map(|(r, _)| r.replace('_', " "))
            .collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .x_labels(count_labels(top))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                // Labels sit at the middle of each bar; the grid's other ticks stay blank.
                let i = y.floor() as usize;
                if (y - y.floor() - 0.5).abs() < 1e-6 {
                    names.get(n - 1 - i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("messages handed to people")
            .draw()?;
        let bars = s.handoffs.iter().enumerate().map(|(i, (_, c))| {
            let y = (n - 1 - i) as f64;
            Rectangle::new([(0.0, y + 0.2), (*c as f64, y + 0.8)], PALETTE[2].filled())
        });
        chart.draw_series(bars)?;
        Ok(())
    })
}

/// Lines: receipt-to-answer percentiles per day, on a log scale of minutes.
pub fn latency(s: &Summary) -> Result<String, ChartError> {
    draw("latency", |root| {
        let n = s.days.len().max(1);
        let minutes = |v: f64| (v / 60.0).max(0.01);
        let top = s
            .latency
            .iter()
            .map(|(_, p)| minutes(p.p99))
            .fold(1.0f64, f64::max);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..n as f64, (0.01f64..top * 20.0).log_scale())?;
        let days = s.days.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.min(14))
            .x_label_formatter(&|x| {
                days.get(x.floor() as usize)
                    .map(|d| d.strftime("%a %d %b").to_string())
                    .unwrap_or_default()
            })
            .light_line_style(WHITE)
            .y_label_formatter(&|y| {
                if *y >= 1.0 {
                    format!("{y:.0}")
                } else {
                    format!("{y}")
                }
            })
            .y_desc("minutes from receipt to answer")
            .draw()?;
        type Pick = fn(&Percentiles) -> f64;
        let lines: [(&str, Pick, RGBColor); 3] = [
            ("p50", |p| p.p50, PALETTE[0]),
            ("p90", |p| p.p90, PALETTE[1]),
            ("p99", |p| p.p99, PALETTE[2]),
        ];
        for (name, pick, color) in lines {
            let points: Vec<(f64, f64)> = s
                .latency
                .iter()
                .filter_map(|(d, p)| {
                    let i = s.days.binary_search(d).ok()?;
                    Some((i as f64 + 0.5, minutes(pick(p))))
                })
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2))
                });
            chart.draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 4, color.filled())),
            )?;
        }
        legend(&mut chart)
    })
}

/// Grouped bars: granted refunds per amount bucket, one colour per currency.
pub fn refunds(s: &Summary) -> Result<String, ChartError> {
    draw("refunds by amount", |root| {
        let buckets = AMOUNT_EDGES.len();
        let top = s
            .refunds
            .values()
            .flat_map(|b| b.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..buckets as f64, 0f64..headroom(top))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .y_labels(count_labels(top))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_labels(buckets * 2 + 1)
            .x_label_formatter(&|x| {
                if (x - x.floor() - 0.5).abs() > 1e-6 {
                    return String::new();
                }
                let i = x.floor() as usize;
                match (AMOUNT_EDGES.get(i), AMOUNT_EDGES.get(i + 1)) {
                    (Some(lo), Some(hi)) => format!("{lo}–{hi}"),
                    (Some(lo), None) => format!("{lo} and more"),
                    _ => String::new(),
                }
            })
            .x_desc("refund granted (in its currency)")
            .y_desc("refunds")
            .draw()?;
        let currencies = s.refunds.len().max(1);
        let width = 0.7 / currencies as f64;
        for (k, (currency, counts)) in s.refunds.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let bars = counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(move |(i, c)| {
                    let x = i as f64 + 0.15 + k as f64 * width;
                    Rectangle::new([(x, 0.0), (x + width, *c as f64)], color.filled())
                });
            chart
                .draw_series(bars)?
                .label(currency.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        if s.refunds.is_empty() {
            return Ok(());
        }
        legend(&mut chart)
    })
}

/// The top of a count axis: room above the highest bar for the legend.
fn headroom(top: usize) -> f64 {
    (top as f64 * 1.3).ceil().max(2.0)
}

/// Labels on a count axis at whole numbers only: as many as fit, at most 11.
fn count_labels(top: usize) -> usize {
    let top = headroom(top) as usize;
    let step = top.div_ceil(10).max(1);
    top / step + 1
}

fn legend<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
) -> Result<(), DrawError>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
}
