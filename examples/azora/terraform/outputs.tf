# Values computed from the rendered variables; the interop tests read them from the plan.

output "azconf_version" {
  description = "The config version this plan was made from."
  value       = var.azconf_version
}

output "total_replicas" {
  description = "Pods across all services."
  value       = sum([for service in values(var.services) : service.replicas])
}

output "images" {
  description = "The image each service runs."
  value       = { for name, service in var.services : name => service.image }
}

output "enabled_flags" {
  description = "The flags that are switched on."
  value       = sort([for key, flag in var.flags : key if flag.state == "ENABLED"])
}

output "flag_defaults" {
  description = "Each flag's default value (flags without a default variant are left out)."
  value       = local.flag_defaults
}

output "public_paths" {
  description = "Route paths that need no authentication."
  value       = sort([for route in values(var.routes) : route.path if route.auth == "none"])
}

output "cluster_name" {
  description = "The EKS cluster of the environment."
  value       = var.settings.cluster.name
}

output "pages_on_call" {
  description = "Whether alerts page the on-call engineer (PagerDuty) or only post to chat."
  value       = var.settings.alerts.notify.pagerduty_service != null
}

output "secret_names" {
  description = "The secrets the environment references (names only; the references are sensitive)."
  value       = nonsensitive(sort(keys(var.secrets)))
}
