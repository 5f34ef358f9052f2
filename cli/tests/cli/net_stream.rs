//! picamera's length-prefixed JPEG stream over real sockets on 127.0.0.1:
//! `camreel send` and `camreel receive` against Python peers written from
//! the protocol (a `struct.unpack('<L', ...)` loop opening each image with
//! Pillow, as the recipe's server does), against each other, and
//! `camera::open("tcp:ADDR")`.

use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::net_support::{have_python, spawn_with_addr, wait_exit};
use crate::support::command;
use camreel::ErrorKind;
use camreel::camera::{self, CameraSource, SourceConfig};
use camreel::codec::jpeg;
use camreel::imageio::{FileStream, ReadOptions};
use camreel::net::{JpegStreamWriter, tcp};
use camreel::sink::FrameSink;

/// The recipe's server: accept one connection, read length-prefixed images
/// until the zero length, open each with Pillow. Prints its port, then
/// `COUNT WIDTHxHEIGHT...` for the sizes it saw.
const PY_SERVER: &str = r#"
import io, socket, struct, sys
from PIL import Image

server = socket.socket()
server.bind(('127.0.0.1', 0))
server.listen(1)
server.settimeout(60)
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
conn.settimeout(60)
stream = conn.makefile('rb')

def read_exact(n):
    data = stream.read(n)
    if len(data) != n:
        sys.exit('stream cut after %d of %d bytes' % (len(data), n))
    return data

count = 0
sizes = set()
while True:
    image_len = struct.unpack('<L', read_exact(struct.calcsize('<L')))[0]
    if not image_len:
        break
    image = Image.open(io.BytesIO(read_exact(image_len)))
    image.load()
    assert image.format == 'JPEG', image.format
    sizes.add('%dx%d' % image.size)
    count += 1
print(count, *sorted(sizes), flush=True)
"#;

/// The recipe's client: connects, sends COUNT Pillow JPEGs the recipe's
/// way (length, flush, bytes), then the zero length; saves what it sent.
const PY_CLIENT: &str = r#"
import io, os, socket, struct, sys
from PIL import Image, ImageDraw

port, outdir, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
client = socket.create_connection(('127.0.0.1', port), timeout=60)
connection = client.makefile('wb')
for i in range(count):
    image = Image.new('RGB', (128, 96), ((i * 20) % 256, 80, 160))
    ImageDraw.Draw(image).rectangle([i * 4, 10, i * 4 + 30, 40], fill=(255, 255, 0))
    stream = io.BytesIO()
    image.save(stream, 'jpeg', quality=80)
    data = stream.getvalue()
    with open(os.path.join(outdir, 'sent%02d.jpg' % i), 'wb') as f:
        f.write(data)
    connection.write(struct.pack('<L', len(data)))
    connection.flush()
    connection.write(data)
connection.write(struct.pack('<L', 0))
connection.close()
client.close()
"#;

fn read_bin(path: &Path) -> Vec<Vec<u8>> {
    let mut stream = FileStream::open(path).unwrap();
    let options = ReadOptions::NO_WAIT;
    let mut frames = Vec::new();
    while let Some(img) = stream.read(options).unwrap() {
        frames.push(img.data().to_vec());
        assert!(frames.len() <= 1000);
    }
    frames
}

#[test]
fn python_server_counts_every_frame_camreel_sends() {
    if !have_python() {
        return;
    }
    let mut py = Command::new("python3")
        .args(["-c", PY_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(py.stdout.take().unwrap());
    let mut port = String::new();
    out.read_line(&mut port).unwrap();
    let dest = format!("127.0.0.1:{}", port.trim());
    let send = command()
        .args([
            "send",
            "synthetic",
            &dest,
            "--frames",
            "25",
            "--size",
            "160x120",
            "--fps",
            "100",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&send.stdout);
    assert!(
        send.status.success(),
        "{}",
        String::from_utf8_lossy(&send.stderr)
    );
    assert!(stdout.starts_with("sent 25 frames ("), "{stdout}");
    let mut result = String::new();
    out.read_to_string(&mut result).unwrap();
    let status = wait_exit(&mut py, Duration::from_secs(30)).expect("python exits");
    assert!(status.success());
    assert_eq!(result.trim(), "25 160x120");
}

#[test]
fn camreel_receive_records_what_a_python_client_sends() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("got.bin");
    let mut rx = spawn_with_addr(
        command().args([
            "receive",
            "--listen",
            "127.0.0.1:0",
            out.to_str().unwrap(),
            "--once",
        ]),
        "listening on ",
    );
    let py = Command::new("python3")
        .args([
            "-c",
            PY_CLIENT,
            &rx.addr.port().to_string(),
            dir.path().to_str().unwrap(),
            "12",
        ])
        .status()
        .unwrap();
    assert!(py.success());
    let status = wait_exit(&mut rx.child, Duration::from_secs(30)).expect("receive exits");
    assert!(status.success());
    let mut rest = String::new();
    rx.stdout.take().unwrap().read_to_string(&mut rest).unwrap();
    assert!(
        rest.starts_with("received 12 frames from 127.0.0.1:"),
        "{rest}"
    );
    // Every JPEG is stored byte for byte.
    let frames = read_bin(&out);
    assert_eq!(frames.len(), 12);
    for (i, frame) in frames.iter().enumerate() {
        let sent = std::fs::read(dir.path().join(format!("sent{i:02}.jpg"))).unwrap();
        assert_eq!(frame, &sent, "frame {i}");
    }
}

#[test]
fn send_to_receive_one_connection_after_another() {
    let dir = tempfile::tempdir().unwrap();
    for (name, check) in [
        ("clip.avi", "avi"),
        ("clip.gif", "gif"),
        ("f%03d.png", "png"),
    ] {
        let out = dir.path().join(name);
        let mut rx = spawn_with_addr(
            command().args(["receive", "--listen", "127.0.0.1:0", out.to_str().unwrap()]),
            "listening on ",
        );
        let dest = rx.addr.to_string();
        for (frames, size) in [("6", "64x48"), ("4", "32x32")] {
            let s = command()
                .args([
                    "send",
                    "synthetic",
                    &dest,
                    "--frames",
                    frames,
                    "--size",
                    size,
                    "--fps",
                    "200",
                ])
                .output()
                .unwrap();
            assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
        }
        // Both connections are recorded before the receiver is stopped.
        let mut stdout = rx.stdout.take().unwrap();
        let mut lines = String::new();
        for _ in 0..2 {
            let mut l = String::new();
            std::io::BufRead::read_line(&mut stdout, &mut l).unwrap();
            lines.push_str(&l);
        }
        assert!(lines.contains("received 6 frames"), "{lines}");
        assert!(lines.contains("received 4 frames"), "{lines}");
        let second = |n: &str| dir.path().join(n);
        match check {
            "avi" => {
                for (file, n) in [("clip.avi", 6), ("clip-2.avi", 4)] {
                    let f = std::fs::File::open(second(file)).unwrap();
                    let r = camreel::avi::AviReader::new(std::io::BufReader::new(f)).unwrap();
                    assert_eq!(r.frame_count(), n, "{file}");
                }
            }
            "gif" => {
                for (file, n, w) in [("clip.gif", 6, 64), ("clip-2.gif", 4, 32)] {
                    let info = camreel::gif::read_info(std::fs::File::open(second(file)).unwrap())
                        .unwrap();
                    assert_eq!((info.frames.len(), info.width), (n, w), "{file}");
                }
            }
            _ => {
                assert!(second("f005.png").exists());
                assert!(!second("f006.png").exists());
                assert!(second("f003-2.png").exists());
                assert!(!second("f004-2.png").exists());
            }
        }
    }
}

#[test]
fn receive_keeps_the_frames_of_a_cut_stream() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cut.bin");
    let mut rx = spawn_with_addr(
        command().args([
            "receive",
            "--listen",
            "127.0.0.1:0",
            out.to_str().unwrap(),
            "--once",
        ]),
        "listening on ",
    );
    let socket = tcp::connect(&rx.addr.to_string(), &tcp::TcpOptions::default()).unwrap();
    let mut writer = JpegStreamWriter::new(socket, 80).unwrap();
    let mut cam = camreel::camera::synthetic::SyntheticCamera::builder()
        .size(40, 30)
        .frame_limit(3)
        .build()
        .unwrap();
    while let Some(f) = cam.next_frame().unwrap() {
        writer.write_frame(&f).unwrap();
    }
    // Half a frame, then the connection drops.
    writer
        .get_mut()
        .write_all(&[100, 0, 0, 0, 0xFF, 0xD8])
        .unwrap();
    writer.get_mut().shutdown(std::net::Shutdown::Both).unwrap();
    let status = wait_exit(&mut rx.child, Duration::from_secs(30)).expect("receive exits");
    assert_eq!(status.code(), Some(1));
    assert_eq!(read_bin(&out).len(), 3);
}

#[test]
fn a_remote_sender_is_a_camera() {
    // Pick a free port, then let camera::open listen on it.
    let port = tcp::listen("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let sender = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut cam = camreel::camera::synthetic::SyntheticCamera::builder()
                .size(48, 32)
                .frame_limit(7)
                .build()
                .unwrap();
            let mut socket = None;
            for _ in 0..200 {
                match tcp::connect(&addr, &tcp::TcpOptions::default()) {
                    Ok(s) => {
                        socket = Some(s);
                        break;
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            let mut w = JpegStreamWriter::new(socket.expect("connect"), 85).unwrap();
            while let Some(f) = cam.next_frame().unwrap() {
                w.write_frame(&f).unwrap();
            }
            w.finish().unwrap();
        })
    };
    let mut remote = camera::open(&format!("tcp:{addr}"), &SourceConfig::default()).unwrap();
    let f = remote.format();
    assert_eq!(
        (f.format, f.width, f.height),
        (camreel::PixelFormat::Jpeg, 48, 32)
    );
    let mut n = 0;
    while let Some(frame) = remote.next_frame().unwrap() {
        assert_eq!(frame.sequence, n);
        assert_eq!(jpeg::decode(frame.image.data()).unwrap().size(), (48, 32));
        n += 1;
    }
    assert_eq!(n, 7);
    sender.join().unwrap();
    let e = camera::open("tcp:", &SourceConfig::default())
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn record_from_a_remote_camera() {
    // `camreel record tcp:ADDR` records whatever a sender streams.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("remote.bin");
    let port = tcp::listen("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut rec = command()
        .args([
            "record",
            &format!("tcp:{addr}"),
            out.to_str().unwrap(),
            "--frames",
            "5",
        ])
        .spawn()
        .unwrap();
    let mut sent = None;
    for _ in 0..300 {
        let s = command()
            .args([
                "send",
                "synthetic",
                &addr,
                "--frames",
                "5",
                "--size",
                "32x24",
                "--fps",
                "100",
            ])
            .output()
            .unwrap();
        if s.status.success() {
            sent = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = sent.expect("the sender connects");
    let status = wait_exit(&mut rec, Duration::from_secs(30)).expect("record exits");
    assert!(status.success());
    assert_eq!(read_bin(&out).len(), 5);
}

/// Sends `signal` to `child`.
fn kill(child: &std::process::Child, signal: &str) {
    let ok = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn a_signal_ends_the_sent_stream_cleanly() {
    let listener = tcp::listen("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let mut send = command()
        .args(["send", "synthetic", &addr, "--size", "32x24"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (socket, _) = tcp::accept(&listener, &tcp::TcpOptions::default()).unwrap();
    let mut stream = camreel::net::JpegStreamReader::new(socket);
    for _ in 0..5 {
        stream.read_frame().unwrap().unwrap();
    }
    kill(&send, "-INT");
    let mut frames = 5;
    while stream.read_frame().unwrap().is_some() {
        frames += 1;
        assert!(frames < 10_000);
    }
    // The zero length arrived: a clean end, every frame counted.
    assert!(stream.is_ended());
    let status = wait_exit(&mut send, Duration::from_secs(10)).expect("send exits");
    assert_eq!(status.code(), Some(130));
    let mut out = String::new();
    send.stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(
        out.starts_with(&format!("sent {frames} frames (")),
        "{out} vs {frames}"
    );
}

#[test]
fn a_signal_stops_the_receiver_between_connections() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.bin");
    let mut rx = spawn_with_addr(
        command().args(["receive", "--listen", "127.0.0.1:0", out.to_str().unwrap()]),
        "listening on ",
    );
    let s = command()
        .args([
            "send",
            "synthetic",
            &rx.addr.to_string(),
            "--frames",
            "3",
            "--size",
            "32x24",
        ])
        .output()
        .unwrap();
    assert!(s.status.success());
    let mut line = String::new();
    rx.stdout.as_mut().unwrap().read_line(&mut line).unwrap();
    assert!(line.starts_with("received 3 frames"), "{line}");
    let status = rx
        .terminate(Duration::from_secs(10))
        .expect("receive exits");
    assert_eq!(status.code(), Some(143));
    assert_eq!(read_bin(&out).len(), 3);
}
