# The variables azconf renders into <project>.auto.tfvars.json (docs/render.md, "terraform"). Their
# types mirror the Azora JSON Schemas; `azconf render` checks every rendered value against them, and
# the validation blocks below are evaluated by Terraform itself.

variable "azconf_version" {
  description = "The azconf config version the values were rendered from."
  type        = string

  validation {
    condition     = can(regex("sha256:[0-9a-f]{64}$", var.azconf_version))
    error_message = "The azconf_version must end with the config's sha256 content hash."
  }
}

variable "project" {
  description = "The azconf project name."
  type        = string
}

variable "environment" {
  description = "The environment the values are for."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "The environment must be dev, staging or prod."
  }
}

variable "services" {
  description = "Services by name: image, size, environment variables and settings."
  type = map(object({
    image    = string
    replicas = number
    port     = number
    resources = optional(object({
      requests = optional(object({
        cpu    = optional(string)
        memory = optional(string)
      }))
      limits = optional(object({
        cpu    = optional(string)
        memory = optional(string)
      }))
    }))
    env        = map(string)
    secret_env = map(string)
    flag_env   = map(string)
    flags      = set(string)
    secrets    = set(string)
    routes     = set(string)
    settings = object({
      log_level  = string
      log_format = optional(string, "json")
      http = optional(object({
        request_timeout_ms = optional(number)
        max_body_kb        = optional(number)
      }))
      db = optional(object({
        pool_size            = number
        statement_timeout_ms = optional(number)
      }))
      web = optional(object({
        session_ttl_minutes  = optional(number)
        static_cache_seconds = optional(number)
        default_locale       = optional(string)
        supported_locales    = optional(list(string))
      }))
      payments = optional(object({
        provider             = string
        currency             = string
        supported_currencies = optional(list(string))
        capture_mode         = optional(string)
        refund_window_days   = optional(number)
      }))
      auth = optional(object({
        access_token_ttl_minutes = optional(number)
        refresh_token_ttl_days   = optional(number)
        password_min_length      = optional(number)
        mfa_required             = optional(bool, false)
        lockout_after_failures   = optional(number)
      }))
      notifications = optional(object({
        email_from     = string
        channels       = list(string)
        batch_size     = optional(number)
        retry_attempts = optional(number)
        sandbox        = optional(bool, false)
        quiet_hours = optional(object({
          start = string
          end   = string
        }))
      }))
      flag_store = optional(object({
        reload_interval_seconds = optional(number)
        dashboard_enabled       = optional(bool)
        write_api_enabled       = optional(bool)
        audit_changes           = optional(bool)
      }))
      analytics = optional(object({
        sampling_rate          = optional(number)
        batch_size             = optional(number)
        flush_interval_seconds = optional(number)
        retention_days         = optional(number)
      }))
    })
  }))

  validation {
    condition     = alltrue([for s in values(var.services) : s.replicas >= 0 && s.replicas == floor(s.replicas)])
    error_message = "Every service's replicas must be a whole number, 0 or more."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : s.port >= 1 && s.port <= 65535])
    error_message = "Every service's port must be between 1 and 65535."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : can(regex("^[^\\s]+:[^\\s]+$", s.image))])
    error_message = "Every service's image must name a tag (registry/name:tag) and hold no spaces."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : contains(["debug", "info", "warn", "error"], s.settings.log_level)])
    error_message = "Every service's settings.log_level must be debug, info, warn or error."
  }
}

variable "routes" {
  description = "API-gateway routes by name."
  type = map(object({
    path    = string
    service = string
    methods = list(string)
    auth    = string
    rate_limit = optional(object({
      rate  = number
      per   = number
      burst = optional(number)
    }))
    cors = optional(object({
      origins           = list(string)
      methods           = list(string)
      headers           = list(string)
      allow_credentials = bool
      max_age           = optional(number)
    }))
    timeout_seconds = number # rounded up to whole seconds
    timeout_ms      = number
    strip_path      = bool
    scopes          = list(string)
    upstream_port   = optional(number)
    expose          = string # gateway | direct
  }))

  validation {
    condition     = alltrue([for r in values(var.routes) : startswith(r.path, "/")])
    error_message = "Every route's path must start with \"/\"."
  }
  validation {
    condition     = alltrue([for r in values(var.routes) : contains(["none", "api-key", "jwt", "oauth2"], r.auth)])
    error_message = "Every route's auth must be none, api-key, jwt or oauth2."
  }
  validation {
    condition     = alltrue([for r in values(var.routes) : r.timeout_seconds > 0 && r.timeout_seconds <= 3600])
    error_message = "Every route's timeout_seconds must be between 1 and 3600."
  }
  validation {
    condition     = alltrue([for r in values(var.routes) : r.rate_limit == null ? true : r.rate_limit.rate > 0 && r.rate_limit.per > 0])
    error_message = "A route's rate_limit needs a positive rate and per."
  }
}

variable "flags" {
  description = "Feature flags by key; variants_json and targeting_json hold JSON text."
  type = map(object({
    state           = string
    type            = string
    variants_json   = string
    default_variant = optional(string)
    targeting_json  = optional(string)
    description     = optional(string)
    owner           = optional(string)
    expires         = optional(string)
    metadata        = map(string)
  }))

  validation {
    condition     = alltrue([for f in values(var.flags) : contains(["ENABLED", "DISABLED"], f.state)])
    error_message = "Every flag's state must be ENABLED or DISABLED."
  }
  validation {
    condition     = alltrue([for f in values(var.flags) : contains(["boolean", "string", "number", "object"], f.type)])
    error_message = "Every flag's type must be boolean, string, number or object."
  }
  validation {
    condition     = alltrue([for f in values(var.flags) : f.default_variant == null ? true : contains(keys(jsondecode(f.variants_json)), f.default_variant)])
    error_message = "Every flag's default_variant must be one of its variants."
  }
}

variable "secrets" {
  description = "Secret references by name: where each secret lives, never its value."
  type = map(object({
    ref         = string
    scheme      = string
    description = optional(string)
  }))
  sensitive = true

  validation {
    condition     = alltrue([for s in values(var.secrets) : contains(["vault", "k8s", "env", "keyring"], s.scheme) && startswith(s.ref, "${s.scheme}://")])
    error_message = "Every secret reference must use the vault, k8s, env or keyring scheme it names."
  }
}

variable "settings" {
  description = "The environment's settings (schemas/settings.schema.json)."
  type = object({
    public_hostname     = string
    api_hostname        = string
    region              = string
    support_email       = string
    maintenance_mode    = bool
    maintenance_message = optional(string, "")
    cluster = object({
      name               = string
      namespace          = string
      kubernetes_version = string
      node_instance_type = string
      node_count         = number
    })
    database = object({
      engine_version        = string
      instance_class        = string
      storage_gb            = number
      multi_az              = bool
      backup_retention_days = number
    })
    gateway = optional(object({
      listen_port       = optional(number, 8080)
      redis_host        = optional(string)
      redis_port        = optional(number, 6379)
      analytics_enabled = optional(bool, false)
    }))
    audit = optional(object({
      retention_days = optional(number, 90)
    }))
    alerts = object({
      notify = object({
        email             = optional(string)
        slack_channel     = optional(string)
        pagerduty_service = optional(string)
      })
      thresholds = list(object({
        component = string
        metric    = string
        warning   = number
        critical  = number
      }))
    })
  })

  validation {
    condition     = var.settings.cluster.node_count >= 1 && var.settings.cluster.node_count <= 100
    error_message = "settings.cluster.node_count must be between 1 and 100."
  }
  validation {
    condition     = var.settings.database.storage_gb >= 20 && var.settings.database.backup_retention_days <= 35
    error_message = "settings.database needs at least 20 GB of storage and at most 35 days of backups."
  }
  validation {
    condition     = alltrue([for t in var.settings.alerts.thresholds : t.warning < t.critical])
    error_message = "Every alert threshold must warn below its critical level."
  }
}
