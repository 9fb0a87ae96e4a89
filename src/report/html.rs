//! Building blocks of the self-contained HTML reports: escaping, tables, inline bar charts, embedded
//! images, and the page frame with its self-check.
//!
//! Every text that can come from a scenario (names, ids, descriptions) goes through [`escape`]. Plots
//! drawn by plotters are embedded as base64 `data:` images rather than inline markup, so nothing inside
//! them can become part of the page. The page loads nothing from outside.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number for reading: four significant digits, scientific below 1e-3 and from 1e7.
pub fn readable(x: f64) -> String {
    if x.is_nan() {
        return "–".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "-∞" }.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-3..1e7).contains(&a) {
        return format!("{x:.3e}");
    }
    let digits = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.digits$}")
}

/// `mean ± half-width` (just the mean when there is no interval).
pub fn with_interval(mean: f64, half_width: f64) -> String {
    if half_width.is_finite() && half_width > 0.0 {
        format!("{} ± {}", readable(mean), readable(half_width))
    } else {
        readable(mean)
    }
}

/// An HTML table; cells are escaped here.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut html = String::from("<table><thead><tr>");
    for h in header {
        let _ = write!(html, "<th>{}</th>", escape(h));
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{}</td>", escape(cell));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// A horizontal bar chart as inline SVG (labels escaped), with an optional interval per bar.
pub fn bar_chart(title: &str, unit: &str, bars: &[(String, f64, f64)]) -> String {
    let row_h = 22.0;
    let label_w = 260.0;
    let plot_w = 420.0;
    let height = 40.0 + row_h * bars.len() as f64;
    let max = bars
        .iter()
        .map(|(_, v, h)| v + if h.is_finite() { *h } else { 0.0 })
        .fold(0.0f64, f64::max);
    let scale = if max > 0.0 { plot_w / max } else { 0.0 };
    let mut svg = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" \
         role=\"img\" aria-label=\"{t}\"><text x=\"4\" y=\"16\" class=\"ct\">{t} ({u})</text>",
        w = label_w + plot_w + 90.0,
        t = escape(title),
        u = escape(unit)
    );
    for (k, (label, value, half)) in bars.iter().enumerate() {
        let y = 28.0 + row_h * k as f64;
        let w = (value.max(0.0) * scale).max(0.0);
        let _ = write!(
            svg,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bh}\" class=\"bar\"/>",
            lx = label_w - 6.0,
            ty = y + 13.0,
            label = escape(label),
            bh = row_h - 6.0
        );
        if half.is_finite() && *half > 0.0 {
            let (x0, x1) = (
                label_w + ((value - half).max(0.0) * scale),
                label_w + (value + half) * scale,
            );
            let ym = y + (row_h - 6.0) / 2.0;
            let _ = write!(
                svg,
                "<line x1=\"{x0:.1}\" x2=\"{x1:.1}\" y1=\"{ym}\" y2=\"{ym}\" class=\"err\"/>"
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{vx:.1}\" y=\"{ty}\">{v}</text>",
            vx = label_w + w + 6.0,
            ty = y + 13.0,
            v = escape(&readable(*value))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// An SVG or PNG file embedded as a `data:` image, or nothing if the file is absent (plots skipped).
pub fn embedded_image(path: &Path, alt: &str) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return String::new();
    };
    let mime = match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => "image/svg+xml",
        _ => "image/png",
    };
    format!(
        "<figure><img alt=\"{alt}\" src=\"data:{mime};base64,{data}\"><figcaption>{alt}</figcaption></figure>",
        alt = escape(alt),
        data = base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:1.5em auto;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .5em;\
text-align:left}th{background:#f3f3f3}td{font-variant-numeric:tabular-nums}\
figure{margin:.8em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.85em;color:#555}\
.chart text{font-size:12px;font-family:sans-serif}.chart .ct{font-weight:bold}.bar{fill:#4a7ab5}\
.err{stroke:#222;stroke-width:1.5}.meta{color:#555;font-size:.9em}.note{background:#fff8e0;padding:.5em}";

/// The self-check run by the page itself: counts the images that decoded and records any script or
/// resource error on `<body>` (`data-images-ok`, `data-errors`), so a headless browser test can read them.
const SELF_CHECK: &str = "<script>(function(){var errors=[];\
window.addEventListener('error',function(e){errors.push(e.message||(e.target&&e.target.tagName)||'error');\
document.body.setAttribute('data-errors',errors.join(' | '));},true);\
window.addEventListener('load',function(){var images=document.images,ok=0;\
for(var i=0;i<images.length;i++){if(images[i].complete&&images[i].naturalWidth>0){ok++;}}\
document.body.setAttribute('data-images-ok',ok+'/'+images.length);});})();</script>";

/// A whole page: `title` is escaped, `body` is trusted markup built from escaped parts.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style>{SELF_CHECK}</head><body>\n{body}\n</body></html>\n",
        t = escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        let t = table(&["<a>"], &[vec!["<img src=x onerror=alert(1)>".into()]]);
        assert!(!t.contains("<img"));
        let c = bar_chart("<b>", "u", &[("<i>".into(), 1.0, 0.1)]);
        assert!(!c.contains("<i>") && !c.contains("<b>"));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(readable(1234.5678), "1235");
        assert_eq!(readable(0.123456), "0.1235");
        assert_eq!(readable(2.5e-7), "2.500e-7");
        assert_eq!(with_interval(3.0, f64::NAN), "3.000");
    }
}
