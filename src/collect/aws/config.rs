//! AWS Config: recorders with their status, and delivery channels.

use super::{Clients, Ctx};
use crate::model::{ConfigDeliveryChannel, ConfigRecorder, ConfigRecorderStatus};

const SERVICE: &str = "config";

pub(super) async fn recorders_and_channels(
    clients: &Clients,
    ctx: &Ctx,
    region: &str,
) -> (Vec<ConfigRecorder>, Vec<ConfigDeliveryChannel>) {
    let client = clients.config(region);
    let (recorders, statuses, channels) = tokio::join!(
        client.describe_configuration_recorders().send(),
        client.describe_configuration_recorder_status().send(),
        client.describe_delivery_channels().send(),
    );
    let statuses: Vec<(String, ConfigRecorderStatus)> = match statuses {
        Ok(answer) => answer
            .configuration_recorders_status()
            .iter()
            .map(|s| {
                (
                    s.name().unwrap_or_default().to_owned(),
                    ConfigRecorderStatus {
                        recording: s.recording(),
                        last_status: s.last_status().map(|l| l.as_str().to_owned()),
                        last_error_code: s.last_error_code().map(str::to_owned),
                        last_error_message: s.last_error_message().map(str::to_owned),
                        last_status_change_time: s.last_status_change_time().and_then(|t| {
                            t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()
                        }),
                    },
                )
            })
            .collect(),
        Err(e) => {
            ctx.fail(
                Some(region),
                SERVICE,
                "DescribeConfigurationRecorderStatus",
                None,
                &e,
            );
            Vec::new()
        }
    };
    let recorders = match recorders {
        Ok(answer) => answer
            .configuration_recorders()
            .iter()
            .map(|r| {
                let name = r.name().unwrap_or_default().to_owned();
                let group = r.recording_group();
                ConfigRecorder {
                    status: statuses
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, s)| s.clone()),
                    name,
                    role_arn: r.role_arn().map(str::to_owned),
                    all_supported: group.is_some_and(|g| g.all_supported()),
                    include_global_resource_types: group
                        .is_some_and(|g| g.include_global_resource_types()),
                    resource_types: group
                        .map(|g| {
                            g.resource_types()
                                .iter()
                                .map(|t| t.as_str().to_owned())
                                .collect()
                        })
                        .unwrap_or_default(),
                    recording_strategy: group
                        .and_then(|g| g.recording_strategy())
                        .and_then(|s| s.use_only())
                        .map(|s| s.as_str().to_owned()),
                    excluded_resource_types: group
                        .and_then(|g| g.exclusion_by_resource_types())
                        .map(|e| {
                            e.resource_types()
                                .iter()
                                .map(|t| t.as_str().to_owned())
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect(),
        Err(e) => {
            ctx.fail(
                Some(region),
                SERVICE,
                "DescribeConfigurationRecorders",
                None,
                &e,
            );
            Vec::new()
        }
    };
    let channels = match channels {
        Ok(answer) => answer
            .delivery_channels()
            .iter()
            .map(|c| ConfigDeliveryChannel {
                name: c.name().unwrap_or_default().to_owned(),
                s3_bucket_name: c.s3_bucket_name().map(str::to_owned),
                s3_key_prefix: c.s3_key_prefix().map(str::to_owned),
                sns_topic_arn: c.sns_topic_arn().map(str::to_owned),
                delivery_frequency: c
                    .config_snapshot_delivery_properties()
                    .and_then(|p| p.delivery_frequency())
                    .map(|f| f.as_str().to_owned()),
            })
            .collect(),
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeDeliveryChannels", None, &e);
            Vec::new()
        }
    };
    (recorders, channels)
}
