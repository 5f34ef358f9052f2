//! The front of the `.h264` and `.mp4` writers: H.264 frames pass through,
//! raw frames go through an encoder (made on the first raw frame unless one
//! was given).

use crate::error::{Error, ErrorKind, Result};
use crate::frame::Frame;
use crate::h264::annexb::AccessUnitInfo;
use crate::h264::{H264Settings, Sps};
use crate::image::{Limits, PixelFormat};
use crate::video::{EncodedFrame, OutputCounter, VideoEncoder, VideoFrameInfo, VideoFrameType};

/// One frame ready to store: the access unit and what it holds.
pub(crate) struct Staged<'a> {
    /// The access unit (Annex B).
    pub(crate) frame: Frame<'a>,
    /// picamera's facts.
    pub(crate) info: VideoFrameInfo,
    /// The SPS in front of the picture, if any (the MP4 writer's sample
    /// description needs it).
    #[cfg_attr(not(feature = "mp4"), allow(dead_code))]
    pub(crate) sps: Option<Sps>,
}

/// Encodes raw frames, passes H.264 frames through.
pub(crate) struct EncodeStage {
    encoder: Option<Box<dyn VideoEncoder + Send>>,
    settings: H264Settings,
    counter: OutputCounter,
    limits: Limits,
    last: Option<VideoFrameInfo>,
}

impl std::fmt::Debug for EncodeStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodeStage")
            .field("settings", &self.settings)
            .field("encoder", &self.encoder.is_some())
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl EncodeStage {
    /// A stage that makes an `H264Encoder` with `settings` on the first raw
    /// frame.
    pub(crate) fn new(settings: H264Settings) -> EncodeStage {
        EncodeStage {
            encoder: None,
            settings,
            counter: OutputCounter::default(),
            limits: Limits::default(),
            last: None,
        }
    }

    /// A stage that encodes raw frames with `encoder`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedFormat`] for an encoder whose output is not
    /// H.264.
    pub(crate) fn with_encoder(encoder: Box<dyn VideoEncoder + Send>) -> Result<EncodeStage> {
        if encoder.format() != PixelFormat::H264 {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "an encoder of {} frames cannot feed an h.264 output",
                    encoder.format()
                ),
            ));
        }
        let mut stage = EncodeStage::new(H264Settings::default());
        stage.encoder = Some(encoder);
        Ok(stage)
    }

    /// The rate raw frames are encoded at.
    pub(crate) fn rate(&self) -> crate::timing::FrameRate {
        self.settings.frame_rate
    }

    /// The facts of the last frame out.
    pub(crate) fn last(&self) -> Option<VideoFrameInfo> {
        self.last
    }

    /// Asks the encoder for a key frame next.
    pub(crate) fn request_key_frame(&mut self) {
        // Before the first raw frame there is no encoder yet, and its first
        // frame is a key frame anyway.
        if let Some(e) = &mut self.encoder {
            e.request_key_frame();
        }
    }

    fn make_encoder(&mut self) -> Result<()> {
        if self.encoder.is_none() {
            #[cfg(feature = "h264")]
            {
                self.encoder = Some(Box::new(crate::h264::H264Encoder::new(self.settings)?));
            }
            #[cfg(not(feature = "h264"))]
            return Err(Error::new(
                ErrorKind::BackendUnavailable,
                "encoding raw frames to h.264 needs the `h264` cargo feature (h.264 frames pass through without it)",
            ));
        }
        Ok(())
    }

    /// The access unit for `frame`: `frame` itself if it is H.264, else the
    /// encoder's output (`None` if the encoder skipped it).
    pub(crate) fn process<'a>(&'a mut self, frame: &Frame<'a>) -> Result<Option<Staged<'a>>> {
        let limits = self.limits;
        if frame.image.format() == PixelFormat::H264 {
            let au = AccessUnitInfo::of(frame.image.data(), &limits)
                .map_err(|e| e.context(format!("frame {}", frame.sequence)))?;
            let frame_type = if au.key_frame {
                VideoFrameType::Key
            } else {
                VideoFrameType::Delta
            };
            let header = if au.sps.is_some() { au.header_bytes } else { 0 };
            let info = self.counter.next(
                frame_type,
                frame.image.data().len(),
                header,
                frame.timestamp,
            );
            self.last = Some(info);
            return Ok(Some(Staged {
                frame: *frame,
                info,
                sps: au.sps,
            }));
        }
        self.make_encoder()?;
        let Some(encoder) = self.encoder.as_mut() else {
            return Err(Error::new(
                ErrorKind::BackendUnavailable,
                "no h.264 encoder",
            ));
        };
        let Some(EncodedFrame { frame, info }) = encoder.encode(frame)? else {
            return Ok(None);
        };
        let sps = if info.key_frame() {
            AccessUnitInfo::of(frame.image.data(), &limits)?.sps
        } else {
            None
        };
        self.last = Some(info);
        Ok(Some(Staged { frame, info, sps }))
    }
}
